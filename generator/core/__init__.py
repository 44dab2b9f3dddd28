"""The derivation core: pure functions from a scenario's facts to everything the page decides."""

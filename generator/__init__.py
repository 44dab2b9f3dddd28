"""Static site generator for the Shopify source connector mock."""

__version__ = "0.1.0"

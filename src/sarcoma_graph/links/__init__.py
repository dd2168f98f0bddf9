"""External links: checking every external identifier against public reference sets."""

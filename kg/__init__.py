"""kg: the open knowledge graph of the French social and solidarity economy, as local authorities shape it."""

__version__ = "0.1.0"

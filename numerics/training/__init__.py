"""Batched small-initialization training: devices, engines, polish, the sample-size
experiments, the sweep store, the Dask backend and the figures."""

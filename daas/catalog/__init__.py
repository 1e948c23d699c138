"""The device catalog: models with their footprint figures, and the importer of footprint data sets."""

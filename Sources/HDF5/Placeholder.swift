// HDF5: placeholder until the target's first file lands.

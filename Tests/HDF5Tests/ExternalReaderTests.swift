import Foundation
import HDF5
import Testing
import TestSupport

// Files written here are checked by an independent reader: h5py (with its own HDF5 build when
// installed from PyPI). These tests fail, rather than skip, when h5py is missing.

private let configYAML = "model:\n  hidden: [256, 256]\nname: β-run ✓\n"
private let tags = ["paper", "mnist", "ünïcødé"]

/// Writes a small file shaped like a geodim run log.
private func writeRunLog(_ path: String) throws {
    let file = try HDF5File.create(path)
    let root = try file.root
    try file.attributes.set("format", "geodim-run")
    try file.attributes.set("format_version", Int64(1))
    try file.attributes.set("learning_rates", [0.1, 0.01])
    try file.attributes.set("layer_sizes", [Int64(784), 256, 10])

    let meta = try root.createGroup("meta")
    try meta.createStringDataset("config_yaml", value: configYAML)
    try meta.createStringDataset("tags", values: tags)
    try meta.attributes.set("seed", 42)

    let step = try root.createExtendableDataset("train/step", of: Int64.self)
    let loss = try root.createExtendableDataset("train/loss", of: Double.self, compression: 4)
    try loss.attributes.set("units", "nats")
    try loss.attributes.set("description", "mean cross-entropy over the batch")
    try step.makeDimensionScale(name: "step")
    try loss.attachDimensionScale(step)
    try loss.setDimensionLabel("step", axis: 0)
    try step.append(rows: [Int64(0), 10, 20])
    try loss.append(rows: [2.5, 1.25, 0.625])

    let spectra = try root.createExtendableDataset(
        "checkpoints/spectra", of: Float.self, rowShape: [4], compression: 4, fillValue: .nan)
    try spectra.append(rows: [Float(3), 2, 1, .nan, 5, 4, .nan, .nan])
    try root.createDataset("params/layer0/weight", values: (0..<24).map { Int32($0) - 12 }, shape: [2, 3, 4])
    try root.createDataset("params/mask", values: [UInt8(0), 1, 255])
    try file.close()
}

private let readerScript = #"""
import json, sys
import h5py, numpy as np

def check(condition, message):
    if not condition:
        sys.exit("FAIL: " + message)

expected = json.loads(sys.argv[2])
with h5py.File(sys.argv[1], "r") as f:
    check(sorted(f.keys()) == ["checkpoints", "meta", "params", "train"], f"root keys {list(f.keys())}")
    fmt = f.attrs["format"]
    check(isinstance(fmt, str) and fmt == "geodim-run", f"format attr {fmt!r}")
    check(f.attrs["format_version"] == 1 and f.attrs["format_version"].dtype == np.int64, "format_version")
    check(f.attrs["learning_rates"].tolist() == [0.1, 0.01] and f.attrs["learning_rates"].dtype == np.float64, "lrs")
    check(f.attrs["layer_sizes"].tolist() == [784, 256, 10] and f.attrs["layer_sizes"].dtype == np.int64, "sizes")
    check(f["meta"].attrs["seed"] == 42, "seed")

    cfg = f["meta/config_yaml"]
    check(cfg.shape == () and h5py.check_string_dtype(cfg.dtype).encoding == "utf-8", f"config dtype {cfg.dtype}")
    text = cfg.asstr()[()]
    check(isinstance(text, str) and text == expected["config"], f"config text {text!r}")
    tags = f["meta/tags"]
    check(tags.shape == (3,) and h5py.check_string_dtype(tags.dtype).encoding == "utf-8", "tags dtype")
    check(list(tags.asstr()[:]) == expected["tags"], f"tags {list(tags.asstr()[:])!r}")

    step, loss = f["train/step"], f["train/loss"]
    check(step.dtype == np.int64 and step[:].tolist() == [0, 10, 20], f"step {step[:]}")
    check(loss.dtype == np.float64 and loss[:].tolist() == [2.5, 1.25, 0.625], f"loss {loss[:]}")
    check(loss.maxshape == (None,) and loss.chunks is not None and loss.compression == "gzip", "loss layout")
    check(loss.attrs["units"] == "nats" and isinstance(loss.attrs["units"], str), "units attr")
    check(h5py.h5ds.is_scale(step.id), "step is not a dimension scale")
    check(len(loss.dims[0]) == 1 and loss.dims[0][0].name == "/train/step", "step not attached to loss")
    check(loss.dims[0].label == "step", f"label {loss.dims[0].label!r}")

    spectra = f["checkpoints/spectra"]
    check(spectra.dtype == np.float32 and spectra.shape == (2, 4) and spectra.maxshape == (None, 4), "spectra")
    check(np.isnan(spectra.fillvalue) and spectra.shuffle, "spectra fill/shuffle")
    values = spectra[:]
    check(values[0, :3].tolist() == [3, 2, 1] and np.isnan(values[0, 3]) and np.isnan(values[1, 2:]).all(), f"{values}")

    weight = f["params/layer0/weight"]
    check(weight.dtype == np.int32 and weight.shape == (2, 3, 4), "weight")
    check((weight[:] == np.arange(24).reshape(2, 3, 4) - 12).all(), "weight values")
    mask = f["params/mask"]
    check(mask.dtype == np.uint8 and mask[:].tolist() == [0, 1, 255], "mask")
print("OK")
"""#

private let swmrReaderScript = #"""
import sys, h5py
with h5py.File(sys.argv[1], "r", libver="latest", swmr=True) as f:
    print(f["train/step"].shape[0], f["train/loss"].shape[0], f["train/loss"].dims[0][0].name)
"""#

@Suite("External reader (h5py)")
struct ExternalReaderTests {
    @Test("h5py reads names, dtypes, shapes, values, UTF-8 strings and the step scale")
    func h5pyReadsRunLog() throws {
        try requireH5py()
        try withTemporaryFile { path in
            try writeRunLog(path)
            let expected = try JSONSerialization.data(withJSONObject: ["config": configYAML, "tags": tags])
            let result = try runPython(script: readerScript, arguments: [path, String(decoding: expected, as: UTF8.self)])
            let output = result.stderr + result.stdout
            #expect(result.status == 0 && output.hasSuffix("OK\n"), "h5py check failed: \(output)")
        }
    }

    @Test("SWMR: h5py follows a log while it is being written")
    func swmr() throws {
        try requireH5py()
        try withTemporaryFile { path in
            let file = try HDF5File.create(path, latestFormat: true)
            let root = try file.root
            let step = try root.createExtendableDataset("train/step", of: Int64.self)
            let loss = try root.createExtendableDataset("train/loss", of: Double.self)
            try step.makeDimensionScale()
            try loss.attachDimensionScale(step)
            try file.startSWMRWrite()
            #expect(try loss.hasDimensionScale(step) && step.isDimensionScale())
            for count in [2, 5] {
                while try step.rowCount < count {
                    try step.append(rows: [try step.rowCount])
                    try loss.append(rows: [1.0])
                }
                try file.flush()
                let result = try runPython(script: swmrReaderScript, arguments: [path])
                let output = result.stderr + result.stdout
                #expect(result.status == 0 && output == "\(count) \(count) /train/step\n", "SWMR read: \(output)")
            }
            try file.close()

            let reader = try HDF5File.open(path, mode: .swmrRead)
            let steps = try reader.root.dataset("train/step")
            try steps.refresh()
            #expect(try steps.read(as: Int.self).values == [0, 1, 2, 3, 4])
            try reader.close()
        }
    }
}

#!/usr/bin/env python3
"""An independent trainer for checking geodim's, written from the mathematics in numpy.

Two modes:

  reference_trainer.py check RUN_DIR [--drop-last] [--accuracy]
      Replays a geodim run trajectory: reads the run's resolved config.yaml, the initial
      parameters (first checkpoint of log.h5), the training samples (/data/train_indices into
      the MNIST files) and the order geodim visited them in (batch_order.npy, written by
      `geodim train --dump-batches`). It trains from the same start in the run's precision,
      then compares its parameters with those geodim logged at the last checkpoint. Prints one
      JSON object: the largest parameter difference relative to the largest parameter, per
      layer and overall, and the steps taken. --drop-last skips each epoch's partial batch,
      a deliberately different protocol (the tests use it to show the check can fail).
      --accuracy adds the replay's test accuracy just before its last step and at the end.

  reference_trainer.py standalone --seed S [--hidden 256,256] [--batch-size 256] ...
      Trains on the standard 60,000/10,000 MNIST split with its own Glorot-uniform
      initialisation and its own per-epoch shuffles (numpy's default_rng(seed)); prints the
      final test accuracy and the accuracy just before the last step. The statistical
      reference that `geodim bench train --accuracy` is compared with in BENCHMARKS.md.

The mathematics (nothing here is taken from geodim's Swift code):
  inputs     x = float32(byte / 255), widened for float64 runs (as geodim stores them)
  network    h_0 = x, h_l = relu(W_l h_(l-1) + b_l), logits z = W_L h_(L-1) + b_L
  loss       batch mean of cross-entropy: (1/m) sum_i [log sum_k exp z_ik - z_(i,y_i)], or for
             training.loss mse half the mean squared error (1/(2m)) sum_i |z_i - t_i|^2 with
             t_i the synthetic targets (/data/synthetic/train_y) or onehot(y_i) for image data
  gradient   dL/dz = (softmax(z) - onehot(y)) / m (cross-entropy) or (z - t) / m (mse); for each layer from the last,
             dW_l = delta_l^T h_(l-1), db_l = sum_i delta_l, delta_(l-1) = (delta_l W_l) * [h_(l-1) > 0]
  batches    epoch e visits the samples in its permutation, in consecutive chunks of the batch
             size; the last, shorter chunk is a step of its own, its mean over its own rows
  SGD        (PyTorch's form) g = grad + wd*theta; v = g on the first step, else v = mu*v + g;
             theta -= lr * (nesterov ? g + mu*v : v)   (v = g without momentum)
  Adam       (Kingma & Ba, Algorithm 1) g = grad (+ wd*theta for L2); m = b1 m + (1-b1) g;
             v = b2 v + (1-b2) g^2; theta -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps);
             decoupled decay (AdamW, Loshchilov & Hutter) first shrinks theta -= lr*wd*theta
  Path-SGD   (Neyshabur, Salakhutdinov & Srebro 2015, p = 2) the network as a DAG whose biases are
             edges from a constant-1 unit of each layer; the path regulariser
             gamma(w) = sum over source-to-output paths of prod_(e on path) w_e^2, and per edge
             kappa_e = sum over the paths through e of prod_(e' != e) w_e'^2 = gamma_in(u) gamma_out(v)
             for e = (u -> v): gamma_in(source) = 1, gamma_in(v) = sum_(u->v) gamma_in(u) w^2 (the
             constant unit contributes b_v^2), gamma_out(output) = 1, gamma_out(u) = sum_(u->v) w^2
             gamma_out(v); a bias b_v has kappa = gamma_out(v). Step: g = grad / max(kappa, eps),
             then SGD's momentum rule on g (no weight decay)
  freeze     the layers of training.freeze are never handed to the optimizer: it holds and
             updates the trained layers' tensors only (their moments too)
  schedule   k = updates taken before this one; warm-up factor (k+1)/W for k < W, else 1;
             constant lr; step lr*f^floor(k/(decay_epochs*steps_per_epoch)); cosine
             lr_min + (lr - lr_min)(1 + cos(pi t/T))/2 with t = clip(k - W, 0, T),
             T = max(epochs*steps_per_epoch - W, 1); all times the warm-up factor
"""
import argparse
import gzip
import json
import os
import sys

import numpy as np


# ---------------------------------------------------------------------------- data

def read_idx(path):
    """An IDX file (gzip or plain) as a numpy array of its declared shape."""
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(rank)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).reshape(dims)


def find_mnist(directory, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    sys.exit(f"{directory}: no {stem}[.gz] (hint: data.directory must hold the four MNIST IDX files)")


def pooled_mnist(directory):
    """All 70,000 images (train file first, then t10k) as uint8 rows, and their labels."""
    images = [read_idx(find_mnist(directory, f"{s}-images-idx3-ubyte")) for s in ("train", "t10k")]
    labels = [read_idx(find_mnist(directory, f"{s}-labels-idx1-ubyte")) for s in ("train", "t10k")]
    return np.concatenate([i.reshape(len(i), -1) for i in images]), np.concatenate(labels)


# ---------------------------------------------------------------------------- the network

def forward(weights, biases, x):
    """Every layer's output: [x, h_1, ..., h_(L-1), logits]."""
    outputs = [x]
    for l, (w, b) in enumerate(zip(weights, biases)):
        z = outputs[-1] @ w.T + b
        outputs.append(z if l == len(weights) - 1 else np.maximum(z, 0))
    return outputs


def loss_gradient(weights, biases, x, y, targets=None):
    """Gradients of the batch-mean softmax cross-entropy against labels y, or of half the mean
    squared error against `targets` (m, d) when given, per layer (dW_l, db_l)."""
    outputs = forward(weights, biases, x)
    z = outputs[-1]
    if targets is not None:
        delta = (z - targets) / z.dtype.type(len(z))
    else:
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        delta = p
        delta[np.arange(len(y)), y] -= 1
        delta /= delta.dtype.type(len(y))
    grads = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grads[l] = (delta.T @ outputs[l], delta.sum(axis=0))
        if l > 0:
            delta = (delta @ weights[l]) * (outputs[l] > 0)
    return grads


# ---------------------------------------------------------------------------- optimizers

class SGD:
    def __init__(self, cfg, dtype):
        self.lr, self.mu, self.wd = (dtype(cfg[k]) for k in ("lr", "momentum", "weight_decay"))
        self.nesterov = cfg["nesterov"]
        self.velocity = None

    def step(self, theta, grad):
        g = [gr + self.wd * t for t, gr in zip(theta, grad)]
        if self.mu == 0:
            return [t - self.lr * gi for t, gi in zip(theta, g)]
        self.velocity = g if self.velocity is None else [self.mu * v + gi for v, gi in zip(self.velocity, g)]
        direction = [gi + self.mu * v for gi, v in zip(g, self.velocity)] if self.nesterov else self.velocity
        return [t - self.lr * d for t, d in zip(theta, direction)]


class Adam:
    def __init__(self, cfg, dtype):
        self.dtype = dtype
        self.lr, self.b1, self.b2, self.eps, self.wd = (
            dtype(cfg[k]) for k in ("lr", "beta1", "beta2", "epsilon", "weight_decay"))
        self.decoupled = cfg["decoupled_weight_decay"]
        self.t, self.m, self.v = 0, None, None

    def step(self, theta, grad):
        self.t += 1
        if self.m is None:
            self.m = [np.zeros_like(t) for t in theta]
            self.v = [np.zeros_like(t) for t in theta]
        one = self.dtype(1)
        c1 = self.dtype(1 - float(self.b1) ** self.t)
        c2 = self.dtype(1 - float(self.b2) ** self.t)
        new = []
        for k, (t, gr) in enumerate(zip(theta, grad)):
            g = gr if self.decoupled else gr + self.wd * t
            shrunk = t - self.lr * self.wd * t if self.decoupled else t
            self.m[k] = self.b1 * self.m[k] + (one - self.b1) * g
            self.v[k] = self.b2 * self.v[k] + (one - self.b2) * g * g
            new.append(shrunk - self.lr * (self.m[k] / c1) / (np.sqrt(self.v[k] / c2) + self.eps))
        return new


class PathSGD:
    """Written from the paper's definitions: kappa by explicit dynamic programming over the
    layered DAG, in float64 whatever the training precision, then cast."""

    def __init__(self, cfg, dtype):
        self.dtype = dtype
        self.lr, self.mu = dtype(cfg["lr"]), dtype(cfg["momentum"])
        self.eps = dtype(cfg["path_epsilon"])
        self.nesterov = cfg["nesterov"]
        self.velocity = None

    def kappa(self, weights, biases):
        layers = len(weights)
        # gamma_in[l]: for the units feeding layer l (inputs for l = 0).
        gamma_in = [np.ones(weights[0].shape[1])]
        for l in range(layers - 1):
            w2 = weights[l].astype(np.float64) ** 2
            gamma_in.append(w2 @ gamma_in[l] + biases[l].astype(np.float64) ** 2)
        # gamma_out[l]: for the units layer l writes (outputs for l = L - 1).
        gamma_out = [None] * layers
        gamma_out[-1] = np.ones(weights[-1].shape[0])
        for l in range(layers - 1, 0, -1):
            gamma_out[l - 1] = (weights[l].astype(np.float64) ** 2).T @ gamma_out[l]
        kw = [np.outer(gamma_out[l], gamma_in[l]).astype(self.dtype) for l in range(layers)]
        kb = [gamma_out[l].astype(self.dtype) for l in range(layers)]
        return kw + kb

    def step(self, theta, grad):
        layers = len(theta) // 2
        kappa = self.kappa(theta[:layers], theta[layers:])
        g = [gr / np.maximum(k, self.eps) for gr, k in zip(grad, kappa)]
        if self.mu == 0:
            return [t - self.lr * gi for t, gi in zip(theta, g)]
        self.velocity = g if self.velocity is None else [self.mu * v + gi for v, gi in zip(self.velocity, g)]
        direction = [gi + self.mu * v for gi, v in zip(g, self.velocity)] if self.nesterov else self.velocity
        return [t - self.lr * d for t, d in zip(theta, direction)]


def make_optimizer(cfg, dtype):
    return {"sgd": SGD, "adam": Adam, "path_sgd": PathSGD}[cfg["name"]](cfg, dtype)


def schedule(cfg, epochs, steps_per_epoch):
    """The learning rate of update k (0-based), as a function of k; None for the constant
    schedule without warm-up (the optimizer's own lr)."""
    name, lr = cfg.get("schedule", "constant"), float(cfg["lr"])
    warmup = int(cfg.get("warmup_steps", 0))
    if name == "constant" and warmup == 0:
        return None
    total = epochs * steps_per_epoch

    def rate(k):
        warm = (k + 1) / warmup if k < warmup else 1.0
        if name == "step":
            return lr * warm * float(cfg["decay_factor"]) ** (k // (int(cfg["decay_epochs"]) * steps_per_epoch))
        if name == "cosine":
            span = max(total - warmup, 1)
            t = min(max(k - warmup, 0), span)
            low = float(cfg["lr_min"])
            return warm * (low + (lr - low) * (1 + np.cos(np.pi * t / span)) / 2)
        return lr * warm
    return rate


def train(weights, biases, x, y, orders, batch_size, optimizer, drop_last=False, rate=None, learning_rates=None,
          targets=None, frozen=()):
    """Runs every epoch of `orders` (epochs × samples) and returns the parameters and steps.
    With `rate` (k -> lr), update k uses rate(k), appended to `learning_rates` if given. With
    `targets` (samples, d) the loss is half the MSE; layers in `frozen` are left out of the
    optimizer's tensors."""
    layers = len(weights)
    trained = [l for l in range(layers) if l not in frozen]
    steps = 0
    for order in orders:
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            if drop_last and len(rows) < batch_size:
                continue
            if rate is not None:
                optimizer.lr = type(optimizer.lr)(rate(steps))
                if learning_rates is not None:
                    learning_rates.append(rate(steps))
            grads = loss_gradient(weights, biases, x[rows], y[rows], None if targets is None else targets[rows])
            if frozen:
                theta = optimizer.step([weights[l] for l in trained] + [biases[l] for l in trained],
                                       [grads[l][0] for l in trained] + [grads[l][1] for l in trained])
                weights, biases = list(weights), list(biases)
                for k, l in enumerate(trained):
                    weights[l], biases[l] = theta[k], theta[len(trained) + k]
            else:
                theta = optimizer.step(weights + biases, [g[0] for g in grads] + [g[1] for g in grads])
                weights, biases = theta[:layers], theta[layers:]
            steps += 1
    return weights, biases, steps


def train_with_last_step_apart(weights, biases, x, y, orders, batch_size, optimizer, accuracy, drop_last=False):
    """``train``, with the last step of the last epoch taken on its own: the same updates (the
    optimizer carries its state across), and `accuracy(weights, biases)` measured just before
    that step and after it. How much the final (often partial) batch moves the reported number.
    Returns (weights, biases, steps, accuracy before the last step, accuracy at the end, rows
    of the last batch)."""
    last = orders[-1]
    cut = (len(last) - 1) // batch_size * batch_size
    weights, biases, steps = train(weights, biases, x, y, list(orders[:-1]) + [last[:cut]], batch_size, optimizer,
                                   drop_last=drop_last)
    before = accuracy(weights, biases)
    weights, biases, more = train(weights, biases, x, y, [last[cut:]], batch_size, optimizer, drop_last=drop_last)
    return weights, biases, steps + more, before, accuracy(weights, biases), len(last) - cut


# ---------------------------------------------------------------------------- check mode

def resolved_config(path):
    """The two-level `section: / key: scalar` YAML geodim writes as config.yaml, as a dict of
    dicts of Python scalars (only what this script needs: numbers, booleans, names)."""
    config, section = {}, None
    for line in open(path):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, value = line.strip().partition(":")
        value = value.strip()
        if not line.startswith(" "):
            section = key
            config[section] = {} if value == "" else value
            continue
        if value in ("true", "false"):
            parsed = value == "true"
        else:
            try:
                parsed = int(value)
            except ValueError:
                try:
                    parsed = float(value)
                except ValueError:
                    parsed = value
        config[section][key] = parsed
    return config


def check(args):
    import geodim_log  # scripts/, next to this file; needs h5py, which standalone mode does not
    run = args.run_dir
    cfg = resolved_config(os.path.join(run, "config.yaml"))
    dtype = {"float32": np.float32, "float64": np.float64}[cfg["training"]["precision"]]
    try:
        log = geodim_log.read_run(os.path.join(run, "log.h5"), spectra=False, inputs=False)
    except geodim_log.LogError as error:
        sys.exit(str(error))
    layers = len(log.meta["layer_sizes"]) - 1
    if log.params is None or len(log.checkpoints) < 2:
        sys.exit(f"{run}/log.h5: needs parameters at two checkpoints (logging.save_params)")
    stored = [(layer.weight, layer.bias) for layer in log.params]
    indices = log.data.train_indices
    labels = log.data.train_labels.astype(np.int64)
    mse = cfg["training"].get("loss", "cross_entropy") == "mse"
    frozen = json.loads(str(cfg["training"].get("freeze", "[]")))
    targets = None
    if cfg["data"].get("source", "mnist") == "synthetic":
        import h5py
        with h5py.File(os.path.join(run, "log.h5"), "r") as f:
            x = f["data/synthetic/train_x"][...].astype(dtype)
            targets = f["data/synthetic/train_y"][...].astype(dtype)[:, None]
    else:
        data_dir = cfg["data"]["directory"]
        pixels, pooled_labels = pooled_mnist(data_dir)
        if not np.array_equal(pooled_labels[indices], labels):
            sys.exit(f"{run}/log.h5: /data/train_labels disagree with {data_dir}")
        # geodim's inputs are the float32 values of byte/255 in both precisions (LabeledSet).
        x = (pixels[indices] / 255.0).astype(np.float32).astype(dtype)
        if mse:
            targets = np.eye(log.meta["layer_sizes"][-1], dtype=dtype)[labels]
    orders = np.load(os.path.join(run, "batch_order.npy"))
    if orders.shape[1] != len(indices):
        sys.exit(f"{run}/batch_order.npy: {orders.shape[1]} samples an epoch, the log has {len(indices)}")
    for e, order in enumerate(orders):
        if not np.array_equal(np.sort(order), np.arange(len(indices))):
            sys.exit(f"{run}/batch_order.npy: epoch {e + 1} is not a permutation")
    weights = [stored[l][0][0].astype(dtype) for l in range(layers)]
    biases = [stored[l][1][0].astype(dtype) for l in range(layers)]
    optimizer = make_optimizer(cfg["optimizer"], dtype)
    batch_size = cfg["training"]["batch_size"]
    report = {"precision": cfg["training"]["precision"], "optimizer": cfg["optimizer"]["name"],
              "epochs": len(orders), "layers": []}
    if args.accuracy:
        test_x = (pixels[log.data.test_indices] / 255.0).astype(np.float32).astype(dtype)
        test_y = log.data.test_labels.astype(np.int64)
        accuracy = lambda w, b: float((forward(w, b, test_x)[-1].argmax(axis=1) == test_y).mean())
        weights, biases, steps, before, after, last_rows = train_with_last_step_apart(
            weights, biases, x, labels, orders, batch_size, optimizer, accuracy, drop_last=args.drop_last)
        report.update(test_accuracy_before_last_step=before, test_accuracy=after, last_batch_rows=last_rows)
    else:
        steps_per_epoch = -(-len(indices) // batch_size)
        rate = schedule(cfg["optimizer"], int(cfg["training"]["epochs"]), steps_per_epoch)
        rates = []
        weights, biases, steps = train(weights, biases, x, labels, orders, batch_size, optimizer,
                                       drop_last=args.drop_last, rate=rate, learning_rates=rates,
                                       targets=targets, frozen=frozen)
        report["loss"] = "mse" if mse else "cross_entropy"
        report["frozen"] = frozen
        report["frozen_bitwise_unchanged"] = all(
            np.array_equal(stored[l][0][0], stored[l][0][-1]) and np.array_equal(stored[l][1][0], stored[l][1][-1])
            for l in frozen)
        if rate is not None:
            # The lr geodim logged per step (/train/lr, every training.log_every steps) against the schedule.
            logged_steps = log.train.step.astype(np.int64)
            expected = np.array(rates)[logged_steps - 1]
            report["lr_max_relative_difference"] = float(np.max(np.abs(log.train.lr - expected) / expected))
            report["lr_first_last"] = [float(expected[0]), float(expected[-1])]
    report["steps"] = steps
    worst = 0.0
    for l in range(layers):
        for name, ours, theirs in (("weight", weights[l], stored[l][0][-1]), ("bias", biases[l], stored[l][1][-1])):
            scale = max(float(np.abs(ours).max()), 1e-30)
            diff = float(np.abs(ours.astype(np.float64) - theirs.astype(np.float64)).max()) / scale
            report["layers"].append({"layer": l, "kind": name, "relative_difference": diff, "max_abs": scale})
            worst = max(worst, diff)
    report["relative_difference"] = worst
    print(json.dumps(report))


# ---------------------------------------------------------------------------- standalone mode

def standalone(args):
    dtype = np.float32
    rng = np.random.default_rng(args.seed)
    pixels, labels = pooled_mnist(args.data)
    x_train, y_train = (pixels[:60000] / 255.0).astype(dtype), labels[:60000].astype(np.int64)
    x_test, y_test = (pixels[60000:] / 255.0).astype(dtype), labels[60000:].astype(np.int64)
    sizes = [784] + [int(w) for w in args.hidden.split(",")] + [10]
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6 / (fan_in + fan_out))
        weights.append(rng.uniform(-limit, limit, (fan_out, fan_in)).astype(dtype))
        biases.append(np.zeros(fan_out, dtype))
    cfg = {"name": "sgd", "lr": args.lr, "momentum": 0.0, "nesterov": False, "weight_decay": 0.0}
    optimizer = make_optimizer(cfg, dtype)
    orders = [rng.permutation(60000) for _ in range(args.epochs)]
    accuracy = lambda w, b: float((forward(w, b, x_test)[-1].argmax(axis=1) == y_test).mean())
    _, _, _, before, after, last_rows = train_with_last_step_apart(
        weights, biases, x_train, y_train, orders, args.batch_size, optimizer, accuracy)
    print(json.dumps({"seed": args.seed, "test_accuracy": after,
                      "test_accuracy_before_last_step": before, "last_batch_rows": last_rows}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    c = modes.add_parser("check", help="replay a geodim run and compare its parameters")
    c.add_argument("run_dir")
    c.add_argument("--drop-last", action="store_true", help="skip partial batches (a different protocol)")
    c.add_argument("--accuracy", action="store_true",
                   help="also report the test accuracy of the replay before its last step and at the end")
    s = modes.add_parser("standalone", help="train with numpy's own initialisation and shuffles")
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--hidden", default="256,256")
    s.add_argument("--batch-size", type=int, default=256)
    s.add_argument("--epochs", type=int, default=10)
    s.add_argument("--lr", type=float, default=0.1)
    s.add_argument("--data", default="data/mnist")
    args = parser.parse_args()
    check(args) if args.mode == "check" else standalone(args)


if __name__ == "__main__":
    main()

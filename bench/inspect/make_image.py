#!/usr/bin/env python3
"""Writes a ~1 GB, 20-layer OCI image layout for benchmarking `images layers`.

Each layer: 2000 small files (1-8 KiB) and 8 large files (~5.5 MiB) of random bytes, gzip level 1; from layer 2 on,
it also overwrites 200 small files and 2 large files of the layer below, and whites out 100 small files and 1 large
one of it, so that the analysis has real waste to find. Deterministic for a seed.
"""
import gzip, hashlib, io, json, os, random, sys, tarfile

def main(out, layers=20, small=2000, large=8, large_size=5_500_000, seed=1):
    rng = random.Random(seed)
    blobs = os.path.join(out, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    descriptors, diff_ids, history = [], [], []
    total = 0

    def add(tar, name, size):
        info = tarfile.TarInfo(name)
        info.size = size
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(rng.randbytes(size)))

    for l in range(layers):
        tmp = os.path.join(out, "layer.tmp")
        hasher = hashlib.sha256()

        class Tee(io.RawIOBase):
            def __init__(self, gz): self.gz = gz
            def writable(self): return True
            def write(self, b):
                hasher.update(b); self.gz.write(b); return len(b)

        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
            buffered = io.BufferedWriter(Tee(gz), 1 << 20)
            with tarfile.open(fileobj=buffered, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                d = tarfile.TarInfo(f"layer{l}"); d.type = tarfile.DIRTYPE; d.mode = 0o755
                tar.addfile(d)
                for i in range(small):
                    size = rng.randint(1024, 8192); total += size
                    add(tar, f"layer{l}/small{i}", size)
                for i in range(large):
                    total += large_size
                    add(tar, f"layer{l}/large{i}", large_size)
                if l > 0:
                    for i in range(200):
                        size = rng.randint(1024, 8192); total += size
                        add(tar, f"layer{l-1}/small{i}", size)
                    for i in range(2):
                        total += large_size
                        add(tar, f"layer{l-1}/large{i}", large_size)
                    for i in range(200, 300):
                        w = tarfile.TarInfo(f"layer{l-1}/.wh.small{i}"); w.size = 0
                        tar.addfile(w)
                    w = tarfile.TarInfo(f"layer{l-1}/.wh.large{large-1}"); w.size = 0
                    tar.addfile(w)
            buffered.flush()  # tarfile does not close (so does not flush) a file object it was given
        with open(tmp, "rb") as f:
            blob = hashlib.sha256()
            for chunk in iter(lambda: f.read(1 << 20), b""): blob.update(chunk)
        os.replace(tmp, os.path.join(blobs, blob.hexdigest()))
        descriptors.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                            "digest": "sha256:" + blob.hexdigest(), "size": os.path.getsize(os.path.join(blobs, blob.hexdigest()))})
        diff_ids.append("sha256:" + hasher.hexdigest())
        history.append({"created": "2026-01-01T00:00:00Z", "created_by": f"RUN make layer {l}"})

    def write_blob(media_type, data):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, digest), "wb") as f: f.write(data)
        return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}

    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
    config = {"architecture": arch, "os": "linux", "created": "2026-01-01T00:00:00Z",
              "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": history}
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": write_blob("application/vnd.oci.image.config.v1+json", json.dumps(config).encode()),
                "layers": descriptors}
    desc = write_blob("application/vnd.oci.image.manifest.v1+json", json.dumps(manifest).encode())
    desc["annotations"] = {"org.opencontainers.image.ref.name": "bench"}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [desc]}, f)
    print(f"{out}: {layers} layers, {total / 1e9:.2f} GB of file content")

if __name__ == "__main__":
    main(sys.argv[1])

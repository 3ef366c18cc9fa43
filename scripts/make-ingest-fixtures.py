#!/usr/bin/env python3
"""Regenerates Sources/SpoorTesting/Fixtures/ingest/ (run from the repository root).

The fixtures are the project's own: a small invented application log, its compressed and
archived forms, and hostile files (truncated gzip, decompression bombs, a pcap header,
binary bytes, invalid UTF-8). Deterministic: the same bytes every run."""
import bz2, gzip, lzma, os, struct, zipfile

out = "Sources/SpoorTesting/Fixtures/ingest"
os.makedirs(out, exist_ok=True)
def p(name): return os.path.join(out, name)
def gz(data, level=9): return gzip.compress(data, level, mtime=0)

lines = [f"2024-03-0{1+i%9}T10:{i%60:02d}:{(i*7)%60:02d}Z app[{1000+i}]: request id={i} user=u{i%13} "
         f"status={'ok' if i%5 else 'fail'}" for i in range(200)]
text = ("\n".join(lines) + "\n").encode()
open(p("app.log"), "wb").write(text)
open(p("app.log.gz"), "wb").write(gz(text))
open(p("app.log.bz2"), "wb").write(bz2.compress(text))
open(p("app.log.xz"), "wb").write(lzma.compress(text))
half = text.find(b"\n", len(text)//2) + 1
open(p("app-two-members.log.gz"), "wb").write(gz(text[:half]) + gz(text[half:]))
def zinfo(name, method):
    zi = zipfile.ZipInfo(name, date_time=(2024, 3, 1, 0, 0, 0)); zi.compress_type = method; return zi
with zipfile.ZipFile(p("logs.zip"), "w") as z:
    z.writestr(zinfo("one/app.log", zipfile.ZIP_DEFLATED), text)
    # Members with distinct first bytes: a source whose start matches another's is the same
    # source grown (the ingest ledger's rule), which is not what this fixture tests.
    z.writestr(zinfo("stored.log", zipfile.ZIP_STORED), text[half:])
    z.writestr(zinfo("nested.log.gz", zipfile.ZIP_STORED), gz(b"\n".join(reversed(text.rstrip(b"\n").split(b"\n"))) + b"\n"))
    z.writestr(zinfo("emptydir/", zipfile.ZIP_STORED), b"")
g = gz(text)
open(p("truncated.log.gz"), "wb").write(g[:len(g)*2//3])
bomb = (b"a"*1023 + b"\n") * (16*1024)          # 16 MiB of text-like lines
open(p("bomb.log.gz"), "wb").write(gz(bomb))
with zipfile.ZipFile(p("bomb.zip"), "w", compresslevel=9) as z:
    z.writestr(zinfo("bomb.log", zipfile.ZIP_DEFLATED), bomb)
open(p("mixed-bytes.log"), "wb").write(b"first line\r\nbad \xff\xfe bytes here\n\n   \nlast line without newline")
open(p("capture.pcap"), "wb").write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) + b"\x00"*32)
open(p("empty.log"), "wb").write(b"")
open(p("binary.dat"), "wb").write(bytes(range(256))*8)

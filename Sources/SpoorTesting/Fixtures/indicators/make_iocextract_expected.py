#!/usr/bin/env python3
"""Writes iocextract-expected.tsv: what InQuest/iocextract 1.16.1 extracts (refang=True) from each
line of ../shared/data/iocextract-testdata/test_data/{valid,invalid}.txt.
Regenerate: $SPOOR_PYTHON Sources/SpoorTesting/Fixtures/indicators/make_iocextract_expected.py /work/shared/data > \
    Sources/SpoorTesting/Fixtures/indicators/iocextract-expected.tsv   (needs `pip install iocextract`)"""
import sys, iocextract
root = sys.argv[1] + "/iocextract-testdata/test_data/"
print("# file\tline\tkind\tvalue  (iocextract %s, refang=True)" % getattr(iocextract, "__version__", "1.16.1"))
for name in ("valid.txt", "invalid.txt"):
    for no, line in enumerate(open(root + name, encoding="utf-8").read().split("\n"), 1):
        if not line:
            continue
        out = []
        out += [("url", v) for v in iocextract.extract_urls(line, refang=True)]
        out += [("ipv4", v) for v in iocextract.extract_ipv4s(line, refang=True)]
        out += [("ipv6", v) for v in iocextract.extract_ipv6s(line)]
        out += [("email", v) for v in iocextract.extract_emails(line, refang=True)]
        out += [("md5", v) for v in iocextract.extract_md5_hashes(line)]
        out += [("sha1", v) for v in iocextract.extract_sha1_hashes(line)]
        out += [("sha256", v) for v in iocextract.extract_sha256_hashes(line)]
        out += [("sha512", v) for v in iocextract.extract_sha512_hashes(line)]
        if not out:
            print("%s\t%d\t-\t-" % (name, no))
        for kind, v in dict.fromkeys(out):
            print("%s\t%d\t%s\t%s" % (name, no, kind, v))

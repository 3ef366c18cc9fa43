"""pyasn's answers for spoor's ASN tests: argv[1] an ipasn table (plain or .gz), argv[2] a file
with one address per line. Prints {"address": [asn or null, prefix or null], ...} as JSON."""
import json
import sys

import pyasn

db = pyasn.pyasn(sys.argv[1])
answers = {}
with open(sys.argv[2]) as f:
    for line in f:
        ip = line.strip()
        if ip:
            asn, prefix = db.lookup(ip)
            answers[ip] = [asn, prefix]
json.dump(answers, sys.stdout)

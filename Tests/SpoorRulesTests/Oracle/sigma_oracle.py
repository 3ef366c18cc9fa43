#!/usr/bin/env python3
"""Test oracle (never a runtime dependency of spoor): which (rule, event) pairs pySigma finds.

usage: sigma_oracle.py RULES_LIST_FILE EVENTS_LIST_FILE
  RULES_LIST_FILE: one Sigma rule file path per line
  EVENTS_LIST_FILE: one evtx_dump JSON file path per line (concatenated {"Event": ...} objects)
Prints one JSON object: {"matches": [[rule_id, file, index], ...], "errors": {rule_id: message}}.

Rules are converted by pySigma's SQLite backend with the Sysmon and Windows logsource pipelines
(the issue's oracle); events are flattened the way Zircolite and ../shared/bench/sigma do it
(leaf element name = column, attributes as Parent_Attr, every column TEXT COLLATE NOCASE).
A rule naming a column no event has gets that column added as NULL (absent), not an error.
"""
import json, re, sqlite3, sys, time, warnings
warnings.filterwarnings("ignore")
from sigma.collection import SigmaCollection
from sigma.backends.sqlite import sqliteBackend
from sigma.pipelines.sysmon import sysmon_pipeline
from sigma.pipelines.windows import windows_logsource_pipeline


def flatten(obj, out, parent=None):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "#attributes":
                for ak, av in v.items():
                    if ak == "xmlns":
                        continue
                    out[f"{parent}_{ak}" if parent else ak] = av if not isinstance(av, (dict, list)) else json.dumps(av)
            elif k == "#text":
                out[parent] = v if not isinstance(v, list) else " ".join(map(str, v))
            else:
                flatten(v, out, k)
    elif isinstance(obj, list):
        out[parent] = json.dumps(obj)
    elif parent is not None:
        out[parent] = obj


def records(path):
    text = open(path, encoding="utf-8").read()
    dec, i = json.JSONDecoder(), 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return
        obj, i = dec.raw_decode(text, i)
        yield obj


clock = time.process_time
timing = {}
t0 = clock()
rule_files = [l.strip() for l in open(sys.argv[1]) if l.strip()]
event_files = [l.strip() for l in open(sys.argv[2]) if l.strip()]
rows, fields = [], {}
for f in event_files:
    for n, rec in enumerate(records(f)):
        d = {}
        flatten(rec, d)
        d = {k.lower(): v for k, v in d.items()}
        d["spoor_file"], d["spoor_index"] = f, n
        for k in d:
            fields.setdefault(k, None)
        rows.append(d)

timing["flatten_cpu_s"] = clock() - t0
t0 = clock()
db = sqlite3.connect(":memory:")
def regexp(p, v):
    if v is None:
        return 0
    try:
        return 1 if re.search(p, str(v)) else 0
    except re.error:
        return 0
db.create_function("regexp", 2, regexp, deterministic=True)
cols = list(fields)
q = lambda c: '"' + c.replace('"', '""') + '"'
db.execute("CREATE TABLE logs (" + ", ".join(q(c) + " TEXT COLLATE NOCASE" for c in cols) + ")")
db.executemany("INSERT INTO logs (" + ", ".join(map(q, cols)) + ") VALUES (" + ", ".join("?" * len(cols)) + ")",
               ([None if d.get(c) is None else str(d[c]) for c in cols] for d in rows))

timing["sqlite_load_cpu_s"] = clock() - t0
backend = sqliteBackend(processing_pipeline=sysmon_pipeline() + windows_logsource_pipeline())
matches, errors = [], {}
convert_s = query_s = 0.0
for rf in rule_files:
    try:
        coll = SigmaCollection.from_yaml(open(rf, encoding="utf-8").read())
    except Exception as e:
        errors[rf] = "load: " + str(e)[:200]
        continue
    for rule in coll.rules:
        rid = str(rule.id)
        t0 = clock()
        try:
            queries = backend.convert_rule(rule)
        except Exception as e:
            errors[rid] = "convert: " + str(e)[:200]
            continue
        finally:
            convert_s += clock() - t0
        t0 = clock()
        for query in queries:
            sql = query.replace("SELECT * FROM", "SELECT spoor_file, spoor_index FROM", 1)
            for _ in range(20):
                try:
                    for f, n in db.execute(sql):
                        matches.append([rid, f, int(n)])
                    break
                except sqlite3.OperationalError as e:
                    m = re.match(r"no such column: (.+)", str(e))
                    if not m:
                        errors[rid] = "sql: " + str(e)[:200]
                        break
                    db.execute("ALTER TABLE logs ADD COLUMN " + q(m.group(1)) + " TEXT COLLATE NOCASE")
        query_s += clock() - t0
timing["convert_cpu_s"], timing["query_cpu_s"], timing["events"] = convert_s, query_s, len(rows)
print(json.dumps({"matches": matches, "errors": errors, "timing": timing}))

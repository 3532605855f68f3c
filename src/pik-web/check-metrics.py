#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A strict reader of the Prometheus text format 0.0.4, for test-pik-web.sh:
# every line is a HELP or TYPE comment or a sample "name{labels} value";
# every sample belongs to a family whose TYPE came first; a family's
# samples come together; label values use only the \\ \" \n escapes; no
# series twice. Then Prometheus's own reader (python3-prometheus-client's
# text parser) must read the same samples. Prints the samples as JSON lines
# {"name": ..., "labels": {...}, "value": ...} for the shell to query.
import json
import math
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
SAMPLE = re.compile(r'^(' + NAME + r')(?:\{(.*)\})? (\S+)$')
LABEL_PAIR = re.compile(r'(' + LABEL + r')="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
TYPES = {'counter', 'gauge', 'histogram', 'summary', 'untyped'}


def fail(n, line, why):
    sys.exit('line %d: %s: %r' % (n, why, line))


def unescape(v):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', '\\': '\\', '"': '"'}[m.group(1)], v)


def main():
    text = sys.stdin.read()
    if not text.endswith('\n'):
        sys.exit('the exposition does not end with a newline')
    types, done, seen, current, out = {}, set(), set(), None, []
    for n, line in enumerate(text.split('\n')[:-1], 1):
        if line.startswith('#'):
            m = re.match(r'^# (HELP|TYPE) (' + NAME + r') (.*)$', line)
            if not m:
                fail(n, line, 'a comment that is neither HELP nor TYPE')
            if m.group(1) == 'TYPE':
                if m.group(3) not in TYPES:
                    fail(n, line, 'unknown type')
                if m.group(2) in types:
                    fail(n, line, 'TYPE given twice')
                types[m.group(2)] = m.group(3)
            continue
        m = SAMPLE.match(line)
        if not m:
            fail(n, line, 'not a sample')
        name, labels, value = m.groups()
        if name not in types:
            fail(n, line, 'sample without a TYPE before it')
        if name != current:
            if name in done:
                fail(n, line, 'family samples not together')
            if current:
                done.add(current)
            current = name
        pairs = {}
        if labels:
            pos = 0
            while pos < len(labels):
                lm = LABEL_PAIR.match(labels, pos)
                if not lm:
                    fail(n, line, 'bad label at %d' % pos)
                if lm.group(1) in pairs:
                    fail(n, line, 'label given twice')
                pairs[lm.group(1)] = unescape(lm.group(2))
                pos = lm.end()
        try:
            v = float(value)
        except ValueError:
            fail(n, line, 'value is not a number')
        if math.isnan(v) and value != 'NaN':
            fail(n, line, 'bad NaN')
        key = (name, tuple(sorted(pairs.items())))
        if key in seen:
            fail(n, line, 'series given twice')
        seen.add(key)
        out.append({'name': name, 'labels': pairs, 'value': v})
    theirs = set()
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            theirs.add((s.name, tuple(sorted(s.labels.items()))))
    if theirs != seen:
        sys.exit('prometheus_client reads other samples: %r' % sorted(theirs ^ seen)[:5])
    for o in out:
        print(json.dumps(o))


main()

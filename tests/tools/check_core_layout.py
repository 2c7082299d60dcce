#!/usr/bin/env python3
"""Fails the build when the core's structure rules are broken (issue 11):

  1. no function in core/src is longer than 150 lines;
  2. no code outside core/src/state/ writes a State record table or index
     (only the store changes state; tasks read `const State&`);
  3. no lower layer includes agent/ (the facade sits above the tasks).

Usage: python3 tests/tools/check_core_layout.py [ROOT]. Prints each
violation and exits 1 when there is one.
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..')
SRC = os.path.join(ROOT, 'core', 'src')
MAX_LINES = 150

# Record tables and derived indexes of state/state.h.
STATE_MEMBERS = [
    'plans', 'checks', 'actions', 'outcomes', 'adjustments', 'escalations', 'consultations', 'idempotency',
    'id_counters', 'plan_by_key', 'plans_by_delegate', 'portfolios_by_member', 'check_by_id', 'action_by_id',
    'outcome_by_id', 'adjustment_by_id', 'check_by_token', 'escalation_by_task', 'consultation_by_handle',
    'escalations_by_claim', 'statement_by_id', 'observation_by_id', 'adjustment_by_seller_id',
    'adjustment_by_evidence_id', 'idempotency_expiry', 'pending_escalations', 'aggregation', 'aggregation_sellers',
    'plans_by_id', 'action_by_media_buy', 'media_buys_listed', 'value_ledger', 'idempotency_by_scope']
WRITE = re.compile(r'\bstate_?\.(%s)\b\s*(\[[^\]]*\]\s*(=[^=]|\.(push_back|emplace|insert|erase))|\.(push_back|emplace_back|emplace|insert|erase|clear|Insert)\b|=[^=])'
                   % '|'.join(STATE_MEMBERS))
# The state/ helpers that add to a table or an index (state.h declares them
# inline, so any layer could call them).
STATE_WRITERS = re.compile(r'\b(PutIdempotencyRecord|IndexStatement|IndexObservation|IndexIssuedToken|IndexCheck|IndexAction|'
                           r'IndexOutcome|IndexAdjustment|CompactToken|KeepCheckBody|KeepOutcomeBody)\s*\(')


def strip(line):
    """The code of a line: string and char literals emptied, then comments cut."""
    line = re.sub(r'R"\((.*?)\)"', '""', line)
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])'", "''", line)
    return re.sub(r'//.*', '', line)


def functions(path):
    """(first line, length, signature) of each top-level function body."""
    lines = open(path, encoding='utf-8').read().split('\n')
    depth, start = 0, None
    for i, line in enumerate(lines):
        if re.match(r'^\s*namespace\b[^;]*\{\s*$', line) or re.match(r'^\s*\}\s*//\s*namespace', line):
            continue
        code = strip(line)
        for ch in code:
            if ch == '{':
                if depth == 0:
                    start = i
                depth += 1
            elif ch == '}':
                depth -= 1
                if depth == 0 and start is not None:
                    signature = lines[start].strip() if lines[start].strip() != '{' else lines[start - 1].strip()
                    yield start + 1, i - start + 1, signature
                    start = None


def main():
    problems = []
    for folder, _, files in os.walk(SRC):
        layer = os.path.relpath(folder, SRC).split(os.sep)[0]
        for name in sorted(files):
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, ROOT)
            text = open(path, encoding='utf-8').read()
            if name.endswith('.cc'):
                for first, length, signature in functions(path):
                    if length > MAX_LINES:
                        problems.append(f'{rel}:{first}: {length} lines (> {MAX_LINES}): {signature[:90]}')
            if layer != 'state':
                for n, line in enumerate(text.split('\n'), 1):
                    if WRITE.search(strip(line)) or STATE_WRITERS.search(strip(line)):
                        problems.append(f'{rel}:{n}: writes agent state outside core/src/state: {line.strip()[:90]}')
            if layer not in ('agent',):
                for n, line in enumerate(text.split('\n'), 1):
                    if re.match(r'\s*#include\s+"agent/', line):
                        problems.append(f'{rel}:{n}: a lower layer includes agent/: {line.strip()}')
    for p in problems:
        print(p)
    print(f'check_core_layout: {len(problems)} problem(s)')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

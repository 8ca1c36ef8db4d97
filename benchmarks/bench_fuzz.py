"""The fuzz suites at full size, by hand: at least 1,000 cases per page.

    python benchmarks/bench_fuzz.py                    # 1,000 pure-layer cases per page
                                                       # and property, 50 AppTest links
    python benchmarks/bench_fuzz.py --apptest 1000     # 1,000 links per page (hours)
    python benchmarks/bench_fuzz.py --pages shapes guide

The same properties as tests/test_fuzz_settings.py and tests/test_fuzz_pages.py, with
random seeds (a failure prints its falsifying case) and, through AppTest, fully random
valid values mixed with hostile ones (the suite keeps valid values cheap; here any valid
value may start a training). Prints cases, failures and the time per case, and the cost of
an AppTest case as a ratio of a pure-layer case measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests import test_fuzz_pages as pages_fuzz
from tests import test_fuzz_settings as layer_fuzz
from tests.fuzz_strategies import invalid_value, unknown_key, valid_value


@st.composite
def random_links(draw: st.DrawFn, page) -> pages_fuzz.Link:
    """Like the suite's links, but valid values drawn from the whole allowed space."""
    query: dict[str, list[str]] = {}
    bad: set[str] = set()
    for key in draw(st.lists(st.sampled_from(page.key_list()), max_size=6, unique=True)):
        setting = page[key]
        if draw(st.integers(0, 2)) == 0:
            query[key] = draw(invalid_value(setting))
            bad.add(key)
        else:
            raw, _ = draw(valid_value(setting))
            if raw:
                query[key] = raw
    for key in draw(st.lists(unknown_key(page), max_size=2, unique=True)):
        query[key] = ["x"]
        bad.add(key)
    return pages_fuzz.Link(query, frozenset(bad))


def _run(check, strategy, examples: int) -> tuple[int, float, str | None]:
    """``check`` on ``examples`` cases drawn from ``strategy``; (cases, seconds, failure)."""
    count = 0

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case) -> None:
        nonlocal count
        count += 1
        check(case)

    start = time.perf_counter()
    failure = None
    try:
        run()
    except Exception:  # a property failed: report it, go on with the next page
        failure = traceback.format_exc(limit=3)
    return count, time.perf_counter() - start, failure


def _layer_checks(stem: str) -> dict[str, object]:
    """The pure-layer properties of the suite, each a function of hypothesis' data."""
    inner = {
        "valid": layer_fuzz.test_a_valid_value_is_read_as_what_it_stands_for,
        "hostile": layer_fuzz.test_a_hostile_value_is_replaced_and_named_safely,
        "round trip": layer_fuzz.test_a_page_query_string_reads_back_to_its_values,
    }
    return {name: (lambda data, t=test: t.hypothesis.inner_test(stem, data))
            for name, test in inner.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000,
                        help="pure-layer cases per page and property")
    parser.add_argument("--apptest", type=int, default=50, help="AppTest links per page")
    parser.add_argument("--pages", nargs="*", default=list(layer_fuzz.PAGES))
    args = parser.parse_args()
    layer_time = layer_cases = app_time = app_cases = 0.0
    failures = []
    for stem in args.pages:
        page = layer_fuzz.PAGES[stem]
        total = 0
        for name, check in _layer_checks(stem).items():
            n, seconds, failure = _run(check, st.data(), args.cases)
            total += n
            layer_cases += n
            layer_time += seconds
            if failure:
                failures.append((stem, name, failure))
        n, seconds, failure = _run(lambda link, s=stem: pages_fuzz.check_link(s, link),
                                   random_links(page), args.apptest)
        app_cases += n
        app_time += seconds
        if failure:
            failures.append((stem, "apptest", failure))
        print(f"{stem:13s} {total:6,d} pure-layer cases, {n:5,d} AppTest links "
              f"({seconds / max(n, 1):.2f} s each), {total + n:6,d} in all")
    per_layer = layer_time / max(layer_cases, 1)
    per_app = app_time / max(app_cases, 1)
    print(f"\npure layer: {layer_cases:,.0f} cases, {per_layer * 1000:.1f} ms each; "
          f"AppTest: {app_cases:,.0f} links, {per_app:.2f} s each "
          f"({per_app / per_layer:,.0f}x a pure-layer case)")
    print(f"failures: {len(failures)}")
    for stem, name, failure in failures:
        print(f"--- {stem} / {name}\n{failure}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

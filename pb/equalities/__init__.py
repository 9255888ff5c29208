"""The "sectional capture" check: do a round's participants look like the ward?

Pure Python over plain data (no Flask, no database, no request), shared by the
web app, the CLI, the tests and the benchmark:

- ``characteristics``: the monitoring questions and how each maps onto the census;
- ``census``: reading a ward's census rows from ``pb/data/lambeth``;
- ``responses``: participants' answers as an integer matrix;
- ``representation``: shares, ratios, intervals, chi-square tests and flags;
- ``raking``: weights that make participants match the census margins;
- ``reweight``: "would the result change?" and where each project's support comes from;
- ``outreach``: who is missing so far, for use during voting;
- ``disclosure``: suppression and rounding for everything shown;
- ``report``: one call that builds the public report for a round and ward;
- ``simulate``: synthetic rounds for tests and the benchmark (never for real results).

Start with ``report.build_report``.
"""

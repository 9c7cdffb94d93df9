"""What users read, from a results tree:

- ``console``: the tables ``actuarial run`` prints;
- ``excel``: ``summary.xlsx`` (headline tables, paths, the assumptions used);
- ``plots`` and ``html``: the charts and the self-contained ``report.html``
  (one run, or several side by side for ``actuarial compare``);
- ``template``: the annotated assumptions template for a new country.
"""

"""Eligibility: the rule language, the program catalog, attributes, statuses and lookup.

Modules (import what you need; this package imports nothing so `rongjiu lookup` stays light):
  rules      parse/validate/compile `when` expressions to vectorised numpy (no eval)
  catalog    programs.yaml + attributes.yaml validated at load; parameters by date
  attributes person and household attributes of attributes.md from staged feeds
  evaluate   the catalog over attribute frames, in dependency order
  reasons    Chinese explanations with values
  pipeline   eligibility_run(staged, resolved, feed_status, run_date) -> tables
  lookup     `rongjiu lookup ID_NUMBER|RESIDENT_ID [--masked]`
  bench      synthetic frames for timing
"""

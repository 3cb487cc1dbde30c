"""Blind, independent test-data generator for the 融救联助 pipeline.

Written from ../shared/ only (feeds.yaml, attributes.md, programs.yaml, the
communities list); see README.md for every rate and choice.
"""

"""Great Expectations suites per feed (built from the feed specs), validation, Data Docs."""

from rongjiu.quality.suites import build_suite, expected_columns
from rongjiu.quality.validate import FeedQualityResult, build_data_docs, prepare_docs_context, validate_feed

__all__ = ["FeedQualityResult", "build_data_docs", "build_suite", "expected_columns", "prepare_docs_context",
           "validate_feed"]

"""Logs are JSON lines carrying the service and the request's correlation id."""

import io
import json
import logging

from functions.runtime.logs import correlation_id, json_handler


def test_a_log_line_is_json_with_the_correlation_id_and_a_utc_time():
    stream = io.StringIO()
    logger = logging.getLogger("test.logs")
    logger.addHandler(json_handler(stream, "catalog-products"))
    logger.setLevel(logging.INFO)
    token = correlation_id.set("req-42")
    try:
        logger.info("served %s", "GET /api/products", extra={"status": 200})
    finally:
        correlation_id.reset(token)
        logger.handlers.clear()
    line = json.loads(stream.getvalue())
    assert line["message"] == "served GET /api/products"
    assert (line["request_id"], line["service"], line["status"]) == ("req-42", "catalog-products", 200)
    assert line["level"] == "INFO" and line["time"].endswith("Z")

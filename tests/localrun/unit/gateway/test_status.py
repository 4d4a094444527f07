"""The status listener's pieces: merging the functions' expositions, Kong's status_listen setting."""

from __future__ import annotations

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from localrun.gateway.server import status_listen_port
from localrun.gateway.status import merge

A = """# HELP ecom_http_requests_total Requests
# TYPE ecom_http_requests_total counter
ecom_http_requests_total{route="/api/a",method="GET",status="200"} 3.0
# HELP process_open_fds Open fds
# TYPE process_open_fds gauge
process_open_fds 12.0
"""
B = """# HELP ecom_http_requests_total Requests
# TYPE ecom_http_requests_total counter
ecom_http_requests_total{route="/api/b",method="GET",status="404",function="spoofed"} 1.0
# HELP process_open_fds Open fds
# TYPE process_open_fds counter
process_open_fds_total 1.0
"""


class Families:
    def __init__(self, families) -> None:
        self.families = list(families)

    def collect(self):
        return self.families


def test_merged_families_are_one_per_name_each_sample_labelled_with_its_process() -> None:
    text = generate_latest(Families(merge({"fn-a": A, "fn-b": B}))).decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}  # parses: no family twice
    requests = {(s.labels["function"], s.labels["route"]): s.value for s in families["ecom_http_requests"].samples}
    assert requests == {("fn-a", "/api/a"): 3.0, ("fn-b", "/api/b"): 1.0}  # the process names it, not the sample
    assert [(s.labels, s.value) for s in families["process_open_fds"].samples] == [({"function": "fn-a"}, 12.0)]
    assert text.count("# TYPE ecom_http_requests_total counter") == 1


@pytest.mark.parametrize("setting, port", [
    ("0.0.0.0:8100", 8100), ("127.0.0.1:8100 ssl, 0.0.0.0:9100", 8100), ("[::]:8200", 8200),
    ("off", None), (None, None), ("", None)])
def test_the_status_port_is_kongs_first_status_listen_address(setting, port) -> None:
    assert status_listen_port(setting) == port


def test_a_status_listen_without_a_port_is_refused() -> None:
    with pytest.raises(ValueError, match="expected host:port"):
        status_listen_port("localhost")

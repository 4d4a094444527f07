"""Which transport `make dev` gives the local broker, and why."""

from __future__ import annotations

import socket

from localrun.dev.stack import choose_transport, rabbitmq_answers


def test_amqp_url_set_means_rabbitmq_even_when_nothing_answers():
    assert choose_transport({"AMQP_URL": "amqp://x@127.0.0.1:1/%2F"}, lambda: False) == \
        ("rabbitmq", "AMQP_URL is set")


def test_unset_and_rabbitmq_answering_means_rabbitmq():
    kind, why = choose_transport({}, lambda: True)
    assert kind == "rabbitmq" and "answers on 127.0.0.1:5672" in why


def test_unset_and_nothing_answering_means_postgres():
    kind, why = choose_transport({"AMQP_URL": ""}, lambda: False)
    assert kind == "postgres" and why == "AMQP_URL is not set and nothing answers on 127.0.0.1:5672"


def test_the_probe_tells_a_listening_port_from_a_closed_one():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert rabbitmq_answers("127.0.0.1", port)
    assert not rabbitmq_answers("127.0.0.1", port)

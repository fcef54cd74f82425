#!/usr/bin/env bash
# Installs and starts what the tests need and a fresh machine of this kind may lack:
# Debian's chromium (browser tests), docker-compose (validates deploy/docker-compose.yml),
# and the local PostgreSQL and RabbitMQ servers if they are installed but stopped.
set -euo pipefail

missing=()
command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)
command -v docker-compose >/dev/null || missing+=(docker-compose)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "ensure-tools: missing ${missing[*]} - run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "ensure-tools: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && [[ -z "${TEST_POSTGRES_URL:-}" ]]; then
  if compgen -G "/etc/postgresql/*" >/dev/null; then
    echo "ensure-tools: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi

if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && [[ -z "${TEST_AMQP_URL:-}" ]]; then
  if command -v rabbitmq-server >/dev/null; then
    echo "ensure-tools: starting RabbitMQ"
    rabbitmq-server -detached || true
    for _ in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && break; sleep 1; done
  fi
fi
if command -v rabbitmqctl >/dev/null && [[ -z "${TEST_AMQP_URL:-}" ]]; then
  rabbitmqctl -q await_startup >/dev/null 2>&1 || true
fi

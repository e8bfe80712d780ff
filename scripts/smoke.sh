#!/usr/bin/env bash
# Smoke test against a running `make run`: reflection, health, a token, a read,
# and a bad registration rejected with field violations. Needs grpcurl
# (make tools installs it into .bin/).
set -euo pipefail
cd "$(dirname "$0")/.."
G=${GRPCURL:-.bin/grpcurl}
MEMBER=${CONSORTIA_MEMBER_URL:-127.0.0.1:7101}
TENDER=${CONSORTIA_TENDER_URL:-127.0.0.1:7102}
"$G" -plaintext "$MEMBER" list
"$G" -plaintext "$MEMBER" grpc.health.v1.Health/Check
TOKEN=$(go run ./services/consortia token --as tera-manager)
"$G" -plaintext -H "authorization: Bearer $TOKEN" -d '{}' "$MEMBER" consortia.member.v1.MemberService/ListClusters | head -20
"$G" -plaintext -H "authorization: Bearer $TOKEN" -d '{"page_size":2}' "$TENDER" consortia.tender.v1.TenderService/ListTenders | head -30
echo "--- a bad registration (expect InvalidArgument naming each field):"
"$G" -plaintext -H "authorization: Bearer $TOKEN" -d '{"kind":"ORGANIZATION_KIND_COMPANY","legal_name":"X","tax_id":"B39000001","profile":{"size_band":"SIZE_BAND_MICRO","cpv_interests":["99999999"]},"certifications":[{"kind":"ENS","level":"media","issue_date":"2025-01-01","expiry_date":"2024-01-01"}],"turnover":[{"year":2024,"amount_cents":-5}]}' \
  "$MEMBER" consortia.member.v1.MemberService/RegisterOrganization || true

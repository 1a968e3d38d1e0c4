#!/bin/bash
# Deploy keys pasted into provisioning scripts
mkdir -p ~/.ssh && chmod 700 ~/.ssh
cat > ~/.ssh/id_ed25519 <<'EOF'
-----BEGIN OPENSSH PRIVATE KEY-----  # <- SG203
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACBqZ3VhcmRleGFtcGxla2V5bm90cmVhbGF0YWxsAAAAkHNuaXBwZXRndWFy
-----END OPENSSH PRIVATE KEY-----
EOF
chmod 600 ~/.ssh/id_ed25519
cat > /etc/ssl/private/desterlib.key <<'EOF'
-----BEGIN ENCRYPTED PRIVATE KEY-----  # <- SG203
MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIc2FtcGxla2V5AgIIADAM
BggqhkiG9w0CCQUAMBQGCCqGSIb3DQMHBAhleGFtcGxlIQSCBMhzbmlwcGV0Z3VhcmQg
-----END ENCRYPTED PRIVATE KEY-----
EOF

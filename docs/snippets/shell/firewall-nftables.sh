# snippetguard: proof[firewall-nftables]
# The same restriction as an nftables table of its own, for systems where
# Docker uses nftables directly (Docker's "firewall-backend": "nftables") and
# there is no DOCKER-USER chain. A drop in any nftables chain is final, so
# Docker's own accept rules cannot undo it. Interface and network as above.
sudo nft -f - <<'NFT'
table inet desterlib-lan-only
delete table inet desterlib-lan-only
table inet desterlib-lan-only {
	chain forward {
		type filter hook forward priority filter - 1; policy accept;
		iifname "eth0" meta l4proto tcp ct direction original ct original proto-dst 3001 ip saddr != 192.168.1.0/24 drop
	}
}
NFT
# The table and its rule.
sudo nft list table inet desterlib-lan-only

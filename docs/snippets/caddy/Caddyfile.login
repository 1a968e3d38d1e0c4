# /etc/caddy/Caddyfile with a login in front: the same site, plus Authelia
# (listening on 127.0.0.1:9091) asked about every request, and its login
# portal on auth.example.com. Replace both names with your own.
# snippetguard: proof[login-caddy]
media.example.com {
	# DesterLib v0.2.0 routes nobody should reach from outside: the logs (they
	# hold the database password; DELETE erases them), the settings (the TMDB
	# key; PUT changes it) and the API documentation. Case-insensitive,
	# because the API's routes are.
	@private path_regexp private (?i)^/api/(v1/logs|v1/settings|docs)
	respond @private 403

	# Every log entry also goes out over the WebSocket. Browsers always send
	# an Origin with it, DesterLib's apps none: refuse other web sites.
	@foreign-origin {
		path /ws
		header Origin *
		not header Origin https://media.example.com
	}
	respond @foreign-origin 403

	# Record every request (JSON, one line each). Caddy rotates the file itself.
	log {
		output file /var/log/caddy/desterlib-access.log
	}

	# Do not advertise the proxy software.
	header -Server

	# --8<-- [start:login]
	# Every request is first checked with Authelia: not signed in, a redirect
	# to the login portal; signed in, on to DesterLib.
	forward_auth 127.0.0.1:9091 {
		uri /api/authz/forward-auth
		copy_headers Remote-User Remote-Groups Remote-Email Remote-Name
	}
	# --8<-- [end:login]

	# The API, published on loopback only. Caddy passes WebSocket upgrades
	# (/ws), the visitor's Host, and X-Forwarded-For/-Proto by default.
	reverse_proxy 127.0.0.1:3001
}

# Authelia's login portal.
auth.example.com {
	log {
		output file /var/log/caddy/desterlib-access.log
	}
	reverse_proxy 127.0.0.1:9091
}

# On your laptop at home or away: forward your own port 3001 to the server's
# loopback-only API, over SSH. Leave it running while you work.
ssh -N -L 3001:127.0.0.1:3001 you@192.168.1.10
# In a second terminal on the laptop: the settings, straight from the API.
curl -sS http://localhost:3001/api/v1/settings

# --8<-- [start:base]
# Turn on the macOS application firewall and stop answering probes (stealth mode).
sudo /usr/libexec/ApplicationFirewall/socketfilterfw --setglobalstate on
sudo /usr/libexec/ApplicationFirewall/socketfilterfw --setstealthmode on
# --8<-- [start:status]
# Is the firewall on?
/usr/libexec/ApplicationFirewall/socketfilterfw --getglobalstate
# --8<-- [end:status]
# --8<-- [end:base]

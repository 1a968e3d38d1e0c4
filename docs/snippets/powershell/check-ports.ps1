# --8<-- [start:listening]
# Which addresses listen on DesterLib's ports, and which program holds them.
Get-NetTCPConnection -State Listen -LocalPort 3001, 5432 -ErrorAction SilentlyContinue |
    Select-Object LocalAddress, LocalPort, @{ Name = 'Program'; Expression = { (Get-Process -Id $_.OwningProcess).ProcessName } }
# --8<-- [end:listening]
# --8<-- [start:firewall]
# The firewall rules for Docker Desktop's network process, and the profile of your network.
Get-NetFirewallApplicationFilter | Where-Object Program -Like '*com.docker.backend.exe' |
    Get-NetFirewallRule | Select-Object DisplayName, Enabled, Direction, Action, Profile
Get-NetConnectionProfile | Select-Object Name, NetworkCategory
# --8<-- [end:firewall]

# credential snippets as Microsoft-docs-style examples write them
$password = ConvertTo-SecureString 'P@ssw0rd123!' -AsPlainText -Force  # <- SG204
$cred = New-Object System.Management.Automation.PSCredential ("admin", $password)
New-LocalUser -Name "svc-backup" -Password (ConvertTo-SecureString "Str0ngP@ss" -AsPlainText -Force)  # <- SG204
$env:AZURE_CLIENT_SECRET = "Qx8~vR3nT6yW1kP4sX7bM2cF5hJ9dL0gQzA"  # <- SG204
$env:PGPASSWORD = 'immich'  # <- SG204
pg_dump -h localhost -U postgres immich > immich.sql

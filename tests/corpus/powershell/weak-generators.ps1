# Password generators from forum answers
$pw = -join ((65..90) + (97..122) | Get-Random -Count 10 | ForEach-Object {[char]$_})  # <- SG307
$env:JWT_SECRET = (Get-Random).ToString()  # <- SG307
$apiToken = [guid]::NewGuid().ToString()  # <- SG307
Add-Type -AssemblyName System.Web
$adminPassword = [System.Web.Security.Membership]::GeneratePassword(12, 2)  # <- SG307

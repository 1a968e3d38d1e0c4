# 32 random bytes from Windows' cryptographic generator, written as 64 hexadecimal
# characters, put straight onto the clipboard: never shown, never in your history.
$Bytes = [byte[]]::new(32)
[System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($Bytes)
-join ($Bytes | ForEach-Object { $_.ToString('x2') }) | Set-Clipboard

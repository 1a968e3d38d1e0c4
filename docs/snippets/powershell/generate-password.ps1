# 32 random bytes from the system's secure generator, written as 64
# hexadecimal characters (256 bits); works in Windows PowerShell 5.1 and 7.
$bytes = New-Object byte[] 32
[System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
-join ($bytes | ForEach-Object { $_.ToString('x2') })

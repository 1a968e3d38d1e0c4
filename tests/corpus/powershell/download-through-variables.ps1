# The same download-and-run, through a variable or a script block
$script = Invoke-RestMethod https://raw.githubusercontent.com/example/tool/main/install.ps1
Invoke-Expression $script  # <- SG308
$s = (iwr https://example.org/bootstrap.ps1 -UseBasicParsing).Content
& ([scriptblock]::Create($s))  # <- SG308
$body = $s
. ([scriptblock]::Create($body))  # <- SG308
irm https://example.org/setup.ps1 | powershell -NoProfile -  # <- SG308
$ExecutionContext.InvokeCommand.InvokeScript((irm https://example.org/x.ps1))  # <- SG308
$code = irm https://example.org/y.ps1; iex $code  # <- SG308

# Profile snippets and setup scripts with secrets typed in
$env:OPENAI_API_KEY = "sk-proj-8fJd2KqLm3Nz7Xw1Rt5Yv9Bc4Hg6Pa0Qe2Ws"  # <- SG204
$env:DB_PASSWORD = "postgres"  # <- SG204
$AdminPassword = "P@ssw0rd!"  # <- SG204
[Environment]::SetEnvironmentVariable("SMTP_PASS", "mailpass123", "User")  # <- SG204
$secure = ConvertTo-SecureString "Winter2024!" -AsPlainText -Force  # <- SG204
$dbPwd = 'jellyfin'  # <- SG204
$env:DATABASE_URL = "postgresql://desterlib:hunter2pass@localhost:5432/desterlib_prod"  # <- SG205
$env:PORT = "3001"

cd ~/.desterlib
# 3. Put the same new password into .env: it replaces the POSTGRES_PASSWORD
#    line and the old password "postgres" inside a DATABASE_URL line, if any.
#    The new file is created private (umask 077) before it replaces the old one.
(umask 077 && awk '/^POSTGRES_PASSWORD=/ { print "POSTGRES_PASSWORD=" ENVIRON["NEW_PASSWORD"]; next } { gsub(/:postgres@/, ":" ENVIRON["NEW_PASSWORD"] "@"); print }' .env > .env.new)
mv .env.new .env
# 4. Forget the variable; from now on the password lives only in .env.
unset NEW_PASSWORD

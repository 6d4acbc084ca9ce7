# APOP failure paths (RFC 1939 7): a wrong digest, a digest of the wrong
# length or with non-hex characters, an unknown user and a user without a
# local domain all get -ERR [AUTH] and count as failed logins; a wrong
# number of arguments is a syntax error that is not a login attempt.  (The
# success path needs the greeting's random timestamp: tested end to end.)
!pop3d max_auth_failures = 10
!file users alice@example.test:s3cret\ndave@nowhere.test:pw\n
!msg example.test/alice new/1000.A.host,S=14,W=14 Subject: a\r\n\r\n
S: +OK cartero POP3 ready <*@mx.example.test>
C: APOP alice@example.test 0123456789abcdef0123456789abcdef
S: -ERR [AUTH] Authentication failed
C: APOP alice@example.test 0123456789ABCDEF0123456789ABCDEF
S: -ERR [AUTH] Authentication failed
C: APOP alice@example.test 0123456789abcdef
S: -ERR [AUTH] Authentication failed
C: APOP alice@example.test 0123456789abcdef0123456789abcdef0
S: -ERR [AUTH] Authentication failed
C: APOP alice@example.test zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz
S: -ERR [AUTH] Authentication failed
C: APOP nobody@example.test 0123456789abcdef0123456789abcdef
S: -ERR [AUTH] Authentication failed
C: APOP dave@nowhere.test 0123456789abcdef0123456789abcdef
S: -ERR [AUTH] Authentication failed
C: APOP alice@example.test
S: -ERR Syntax error in arguments
C: APOP
S: -ERR Syntax error in arguments
C: APOP alice@example.test 0123456789abcdef0123456789abcdef extra
S: -ERR Syntax error in arguments
C: PASS s3cret
S: -ERR USER first
C: QUIT
S: +OK cartero POP3 signing off
S: <EOF>
!log event=auth result=fail user="alice@example.test"
!log event=auth result=fail user="nobody@example.test"
!nolog result=ok
!nolog s3cret
!nolog 0123456789abcdef
!exists example.test/alice new/1000.A.host,S=14,W=14

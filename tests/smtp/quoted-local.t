# Quoted local parts are valid syntax (RFC 5321 4.1.2); "a b"@example.test
# has no maildrop, so it is an unknown user, not a syntax error.
!user example.test/alice
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<"unterminated@example.net>
S: 501 5.1.7 Bad sender address syntax
C: MAIL FROM:<"john q"@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<"a b"@example.test>
S: 550 5.1.1 No such user here
C: RCPT TO:<"a\"b"@example.test>
S: 550 5.1.1 No such user here
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: quoted
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!header example.test/alice Return-Path: <"john q"@example.net>
!log event=rcpt-refused rcpt="\"a b\"@example.test" code=550

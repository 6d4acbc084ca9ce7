# A local domain's user without a maildrop is unknown: 550 5.1.1 at RCPT,
# and nothing is created for them.
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
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<nobody@example.test>
S: 550 5.1.1 No such user here
C: RCPT TO:<nobody@example.org>
S: 550 5.1.1 No such user here
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: only alice
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!mail example.test/nobody 0
!log event=rcpt-refused rcpt="nobody@example.test" code=550
!log code=550 status=5.1.1 cmd=RCPT text="No such user here"
!log nrcpt=1

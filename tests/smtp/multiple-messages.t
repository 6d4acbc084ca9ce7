# Several transactions in one session, each with its own queue id; RSET
# between them is harmless.
!user example.test/alice
!user example.test/bob
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: first
C: .
S: 250 2.0.0 Ok: queued as *.1
C: RSET
S: 250 2.0.0 Reset state
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: second
C: .
S: 250 2.0.0 Ok: queued as *.2
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!mail example.test/bob 1
!body example.test/alice first\r\n
!body example.test/bob second\r\n
!log messages=2 recipients=2

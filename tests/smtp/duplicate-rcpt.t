# A repeated recipient is acknowledged (250) but stored once and counted
# once (so Received still has its "for" clause).
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
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<@relay.example:alice@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<alice@EXAMPLE.TEST>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: once
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!header example.test/alice *for <alice@example.test>;
!log nrcpt=1

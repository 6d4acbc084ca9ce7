# PIPELINING (RFC 2920): MAIL, RCPTs and DATA in one write get their
# replies in order, a refused RCPT in the middle included; the message
# and QUIT in one write too.
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
C: RCPT TO:<alice@example.test>
C: RCPT TO:<nobody@example.test>
C: RCPT TO:<bob@example.test>
C: DATA
S: 250 2.1.0 Sender ok
S: 250 2.1.5 Recipient ok
S: 550 5.1.1 No such user here
S: 250 2.1.5 Recipient ok
S: 354 *
C: Subject: pipelined
C:
C: body
C: .
C: RSET
C: MAIL FROM:<carol@example.net>
C: RCPT TO:<bob@example.test>
C: DATA
S: 250 2.0.0 Ok: queued as *
S: 250 2.0.0 Reset state
S: 250 2.1.0 Sender ok
S: 250 2.1.5 Recipient ok
S: 354 *
C: second
C: .
C: QUIT
S: 250 2.0.0 Ok: queued as *
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!mail example.test/bob 2
!body example.test/alice Subject: pipelined\r\n\r\nbody\r\n

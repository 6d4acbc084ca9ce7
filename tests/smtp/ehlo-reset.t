# A refused EHLO leaves the transaction alone; an accepted one resets it
# like RSET (RFC 5321 4.1.4): only the recipient given after it gets mail.
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
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Recipient ok
C: EHLO not valid
S: 501 5.5.4 Invalid domain name or address literal
C: MAIL FROM:<carol@example.net>
S: 503 5.5.1 Sender already specified
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Need MAIL command first
C: DATA
S: 503 5.5.1 Need MAIL command first
C: MAIL FROM:<dave@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: after reset
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!mail example.test/bob 0
!header example.test/alice Return-Path: <dave@example.net>
!header example.test/alice *for <alice@example.test>;

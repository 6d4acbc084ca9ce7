# Source routes are accepted and dropped (RFC 5321 4.1.1.3, C.2); a broken
# one is a syntax error.
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
C: MAIL FROM:<@relay.example:bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<@a.example alice@example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<@:alice@example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<@a.example,b.example:alice@example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<@a.example,@b.example:alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: routed
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!header example.test/alice Return-Path: <bob@example.net>
!header example.test/alice *for <alice@example.test>;

# With SMTPUTF8 a UTF-8 sender and recipient are accepted and stored as
# sent; Received says "with UTF8SMTP" (RFC 6531 3.7.3).
!user example.test/élise
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<jörg@exämple.net> SMTPUTF8
S: 250 2.1.0 Sender ok
C: RCPT TO:<élise@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: héllo
C:
C: ünïcode
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/élise 1
!header example.test/élise Return-Path: <jörg@exämple.net>
!header example.test/élise *by mx.example.test (cartero) with UTF8SMTP id *
!header example.test/élise *for <élise@example.test>;
!body example.test/élise Subject: h\xc3\xa9llo\r\n\r\n\xc3\xbcn\xc3\xafcode\r\n

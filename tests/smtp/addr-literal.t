# Address literals parse, but no [domain] section names one, so as
# recipients they are not local (550 5.7.1); as a sender one is fine.
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
C: MAIL FROM:<bob@[192.0.2.99]>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@[192.0.2.1]>
S: 550 5.7.1 Relaying denied
C: RCPT TO:<alice@[IPv6:2001:db8::1]>
S: 550 5.7.1 Relaying denied
C: RCPT TO:<alice@[]>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@[192.0.2.1>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@[192.0.2.1]x>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: literal
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!header example.test/alice Return-Path: <bob@[192.0.2.99]>
!log rcpt-refused rcpt="alice@[192.0.2.1]" code=550

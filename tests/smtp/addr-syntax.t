# Malformed paths: 501 with 5.1.7 (sender) or 5.1.3 (recipient), 5.5.4 for
# junk after the path; none of them ends the transaction.
!user example.test/alice
!conf [smtpd]
!conf max_errors = 100
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:bob@example.net
S: 501 5.1.7 Bad sender address syntax
C: MAIL FROM:< bob@example.net>
S: 501 5.1.7 Bad sender address syntax
C: MAIL FROM:<bob@example.net
S: 501 5.1.7 Bad sender address syntax
C: MAIL FROM:<bob@example.net>junk
S: 501 5.1.7 Bad sender address syntax
C: MAIL FROM <bob@example.net>
S: 501 5.5.4 Syntax error in parameters or arguments
C: MAIL TO:<bob@example.net>
S: 501 5.5.4 Syntax error in parameters or arguments
C: MAIL FROM: <bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:alice@example.test
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:< alice@example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice @example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@ example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@example.test
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@example.test>junk
S: 501 5.5.4 Syntax error in parameters or arguments
C: RCPT TO:<alice>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<@example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<.alice@example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice.@example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<al..ice@example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@-example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@example-.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@example..test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@example.test.>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@exa_mple.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<alice@example.test><x@y>
S: 501 5.5.4 Syntax error in parameters or arguments
C: RCPT TO:<a(comment)@example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:
S: 501 5.1.3 Bad recipient address syntax
C: RCPT FROM:<alice@example.test>
S: 501 5.5.4 Syntax error in parameters or arguments
C: RCPT TO: <alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: survived
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!header example.test/alice Return-Path: <bob@example.net>

# Postmaster is accepted at every local domain and bare, in any case, with
# no maildrop made beforehand (RFC 5321 4.5.1); the maildrop is created on
# first delivery.  <postmaster> is the first domain's; the same mailbox
# spelt three ways is stored once.
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
C: RCPT TO:<postmaster>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<POSTMASTER@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<PostMaster@EXAMPLE.TEST>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<Postmaster@example.org>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<postmaster@example.net>
S: 550 5.7.1 Relaying denied
C: DATA
S: 354 *
C: Subject: to the postmaster
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/postmaster 1
!mail example.org/postmaster 1
!tmp-empty example.test/postmaster
!log nrcpt=2

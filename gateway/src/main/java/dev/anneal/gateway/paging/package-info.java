/** Paging of the gateway's list calls: page tokens that name where the previous page ended. */
package dev.anneal.gateway.paging;

// "Copy link" copies the article's address instead of following it (the link works without JS).
document.addEventListener("click", async (event) => {
  const link = event.target.closest("a.copy-link");
  if (!link || !navigator.clipboard) return;
  event.preventDefault();
  const address = new URL(link.getAttribute("href"), window.location.href).href;
  try {
    await navigator.clipboard.writeText(address);
    const status = link.parentElement.querySelector(".copied");
    if (status) status.textContent = link.dataset.copied;
  } catch {
    window.location.href = address;
  }
});

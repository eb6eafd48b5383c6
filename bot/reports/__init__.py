"""Reports for the province: the figures (``bot.services.reports``), and here their renderings as
an Excel workbook and a chart."""
